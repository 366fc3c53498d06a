import { openMemoryStore } from '../src/index.js';
import { describeStore } from './conformance.js';

describeStore('memory', async () => ({
  open: async () => openMemoryStore(),
  isolatedClients: true,
  persistent: false,
}));
