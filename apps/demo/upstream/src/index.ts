export type { SocialClient, SocialProviderOptions, SocialUser } from './options.js';
export type { SocialProvider } from './provider.js';
export { createSocialProvider, startSocialProvider } from './provider.js';
