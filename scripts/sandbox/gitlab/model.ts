/**
 * Internal records of the local GitLab: the flat facts from which both REST objects
 * (rest-shapes.ts) and webhook payloads (hook-payloads.ts) are rendered. Times are epoch ms.
 */
export type Visibility = 'private' | 'internal' | 'public';

export type UserRec = { id: number; name: string; username: string; email: string; createdAt: number };

export type GroupRec = {
  id: number;
  name: string;
  path: string;
  fullPath: string;
  fullName: string;
  parentId: number | null;
  description: string;
  visibility: Visibility;
  createdAt: number;
};

export type ProjectRec = {
  id: number;
  name: string;
  path: string;
  namespaceId: number;
  description: string | null;
  defaultBranch: string;
  visibility: Visibility;
  archived: boolean;
  topics: string[];
  createdAt: number;
  lastActivityAt: number;
  creatorId: number;
};

export type MergeRequestState = 'opened' | 'closed' | 'merged' | 'locked';

export type MergeRequestRec = {
  id: number;
  iid: number;
  projectId: number;
  title: string;
  description: string | null;
  state: MergeRequestState;
  createdAt: number;
  updatedAt: number;
  mergedAt: number | null;
  closedAt: number | null;
  authorId: number;
  assigneeIds: number[];
  reviewerIds: number[];
  mergeUserId: number | null;
  closedById: number | null;
  sourceBranch: string;
  targetBranch: string;
  labels: string[];
  draft: boolean;
  sha: string;
  mergeCommitSha: string | null;
  userNotesCount: number;
};

export type IssueRec = {
  id: number;
  iid: number;
  projectId: number;
  title: string;
  description: string | null;
  state: 'opened' | 'closed';
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  closedById: number | null;
  authorId: number;
  assigneeIds: number[];
  labels: string[];
  confidential: boolean;
  issueType: 'issue' | 'incident';
  dueDate: number | null;
};

export type PipelineStatus =
  | 'created' | 'waiting_for_resource' | 'preparing' | 'pending' | 'running' | 'success' | 'failed'
  | 'canceled' | 'skipped' | 'manual' | 'scheduled';

export type PipelineRec = {
  id: number;
  iid: number;
  projectId: number;
  status: PipelineStatus;
  source: string;
  ref: string;
  sha: string;
  beforeSha: string;
  name: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  duration: number | null;
  queuedDuration: number | null;
  userId: number;
  jobIds: { first: number; count: number } | number[];
};

export type JobRec = {
  id: number;
  pipelineId: number;
  projectId: number;
  name: string;
  stage: string;
  status: string;
  ref: string;
  sha: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  duration: number | null;
  queuedDuration: number | null;
  allowFailure: boolean;
  failureReason: string | null;
  userId: number;
  tagList: string[];
  environment: string | null;
};

export type ReleaseRec = {
  id: number;
  projectId: number;
  tagName: string;
  name: string;
  description: string | null;
  createdAt: number;
  releasedAt: number;
  authorId: number;
  sha: string;
  commitMessage: string;
};

export type DeploymentRec = {
  id: number;
  iid: number;
  projectId: number;
  ref: string;
  sha: string;
  status: 'created' | 'running' | 'success' | 'failed' | 'canceled' | 'blocked';
  environment: string;
  environmentId: number;
  environmentTier: string;
  environmentExternalUrl: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  userId: number;
  deployableJobId: number | null;
};

export type MemberRec = {
  userId: number;
  groupId: number;
  accessLevel: 10 | 15 | 20 | 30 | 40 | 50;
  createdAt: number;
  expiresAt: number | null;
  createdById: number;
};

export const ACCESS_LEVEL_NAMES: Record<number, string> = {
  10: 'Guest', 15: 'Planner', 20: 'Reporter', 30: 'Developer', 40: 'Maintainer', 50: 'Owner',
};

export const VISIBILITY_LEVEL: Record<Visibility, number> = { private: 0, internal: 10, public: 20 };
