import { openMemoryStore } from '../src/index.js';
import { describeStore } from './conformance.js';

describeStore('memory', {
  open: async () => openMemoryStore(),
  isolatedClients: true,
  persistent: false,
});
