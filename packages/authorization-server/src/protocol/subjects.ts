/** User `sub`s start with this, and no client id may, so a client-credentials token never names a user. */
export const userSubjectPrefix = 'usr_';
