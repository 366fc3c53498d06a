import { notifySilentSignIn } from '@gatehouse/browser';

// The public client's silent sign-in frame lands here; the parent page checks and redeems the response.
notifySilentSignIn();
