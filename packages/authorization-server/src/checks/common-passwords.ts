/** Well-known passwords of 8 or more characters, from public breach top lists; refused at sign-up. */
export const commonPasswords: ReadonlySet<string> = new Set(
  `12345678 123456789 1234567890 password password1 password12 password123 passw0rd p@ssw0rd
  qwertyuiop qwerty123 qwerty12 1q2w3e4r 1q2w3e4r5t 1qaz2wsx zaq12wsx iloveyou1 sunshine1 princess1
  football baseball superman starwars whatever trustno1 welcome1 welcome123 admin123 administrator
  letmein1 11111111 00000000 12341234 87654321 abcd1234 abc12345 aa123456 asdfghjkl asdf1234
  changeme computer internet michael1 jennifer charlie1 jordan23 liverpool chelsea1 arsenal1
  dragon12 monkey12 shadow12 master12 killer12 freedom1 qazwsxedc 123123123 987654321 11223344
  1234qwer qwer1234 q1w2e3r4 passport samsung1 google123 secret123 mustang1 football1 baseball1
  iloveyou123 lovely123 hello123 welcome! password! pa55word default1 guest123 test1234 testtest
  12qwaszx zxcvbnm1 zxcvbnm123 asdfasdf qweqweqwe 1qazxsw2 letmein123 starwars1 pokemon1 minecraft`
    .split(/\s+/)
    .filter(Boolean),
);
