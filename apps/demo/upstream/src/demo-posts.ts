import type { SocialUser } from './options.js';

/** A Graph-style post. */
export interface Post {
  id: string;
  message: string;
  created_time: string;
}

/** A few posts made up from the user's name: the same user always has the same posts. */
export function demoPostsOf(user: SocialUser): Post[] {
  const firstName = user.name.split(' ')[0] ?? user.name;
  return [
    { message: `${firstName} is trying out Gatehouse.`, created_time: '2030-01-03T09:00:00+0000' },
    { message: `Hello from ${user.name}!`, created_time: '2030-01-02T12:30:00+0000' },
    { message: `${firstName} joined Example Social.`, created_time: '2030-01-01T08:00:00+0000' },
  ].map((post, index) => ({ id: `${user.id}_${3 - index}`, ...post }));
}
