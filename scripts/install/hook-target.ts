// What a GitLab hook of this integration sits on: a listed top-level group, or one project of it
// (--project-hooks). Its own module so that the plan, the refusals and the project-hooks reader
// can all name it without importing each other.

export interface HookTarget {
  kind: 'group' | 'project';
  id: number;
  path: string;
  /** The listed top-level group it belongs to. */
  group: string;
}
