// Builds the Port and GitLab clients from the inputs, and registers every secret they will ever
// hold with the run's redactor (Port access tokens appear during the run).
import { PortClient, type PortClientOptions } from '../clients/port/index.ts';
import { GitLabClient, type GitLabClientOptions } from '../clients/gitlab/index.ts';
import type { InstallInputs } from './inputs.ts';
import type { SecretSet } from './io.ts';

export interface Clients {
  port: PortClient;
  gitlab: GitLabClient;
}

/** Test seams: retry policies and the like, merged over the defaults. */
export interface ClientTuning {
  port?: Partial<PortClientOptions>;
  gitlab?: Partial<GitLabClientOptions>;
}

export function createClients(inputs: InstallInputs, secrets: SecretSet, tuning: ClientTuning = {}): Clients {
  secrets.add(inputs.portClientSecret, inputs.gitlabToken);
  const port = new PortClient({ clientId: inputs.portClientId, clientSecret: inputs.portClientSecret, baseUrl: inputs.portApiUrl, ...tuning.port });
  secrets.addSource(() => port.http.tokens.seen);
  const gitlab = new GitLabClient({ host: inputs.gitlabUrl, token: inputs.gitlabToken, ...tuning.gitlab });
  return { port, gitlab };
}
