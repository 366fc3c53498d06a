import type { FastifyInstance } from 'fastify';
import type { AsContext } from '../../context.js';
import { registerProfilePage } from './profile.js';
import { registerProfileForms } from './profile-forms.js';
import { registerRegisterPage } from './register.js';
import { registerSignInPage } from './sign-in.js';

/**
 * The account pages outside an authorization request: registration (when enabled), a plain sign-in
 * (for the profile), and the profile with its forms.
 */
export function registerAccountPages(app: FastifyInstance, context: AsContext): void {
  if (context.config.registration) registerRegisterPage(app, context);
  registerSignInPage(app, context);
  registerProfilePage(app, context);
  registerProfileForms(app, context);
}
