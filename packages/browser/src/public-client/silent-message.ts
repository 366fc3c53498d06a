/** The `type` of the message a silent callback page posts to its parent, with `url`: where it was sent back to. */
export const silentSignInMessageType = 'gatehouse-silent-sign-in';
