/** Word lists for generated names and titles; a few are deliberately non-ASCII. */
export const TEAM_NAMES: readonly [string, string][] = [
  ['Platform', 'platform'], ['Données & Analytics', 'donnees-analytics'], ['Frontend', 'frontend'],
  ['Mobile', 'mobile'], ['Infrastructure', 'infrastructure'], ['Sécurité', 'securite'], ['Payments', 'payments'],
  ['研发中心', 'rnd-center'], ['Growth', 'growth'], ['Tooling', 'tooling'],
];

export const PROJECT_WORDS: readonly [string, string][] = [
  ['API Gateway', 'api-gateway'], ['Billing Service', 'billing-service'], ['Web App', 'web-app'],
  ['iOS App', 'ios-app'], ['Data Pipeline', 'data-pipeline'], ['Auth Service', 'auth-service'],
  ['Docs Site', 'docs-site'], ['Terraform Modules', 'terraform-modules'], ['Café Ordering ☕', 'cafe-ordering'],
  ['Zahlungsdienst', 'zahlungsdienst'], ['Поиск', 'search'], ['ML Models', 'ml-models'],
];

export const FIRST_NAMES = ['Ada', 'José', 'Zoë', 'Mateus', 'Priya', 'Lars', 'Chloé', 'Kenji', 'Amara', 'Łukasz', '李', 'Fatima', 'Olu', 'Sven', 'Inès'];
export const LAST_NAMES = ['Lovelace', 'Álvarez', 'Ødegaard', 'Silva', 'Natarajan', 'Berg', 'Dubois', 'Tanaka', 'Okafor', 'Nowak', '雷', 'Haddad', 'Adeyemi', 'Lind', 'Moreau'];

export const MR_TITLES = [
  'Add retry to webhook client', 'Fix flaky login test', 'Bump dependencies', 'Refactor billing calculator',
  'Добавить кэширование запросов', '修复登录页面的问题', 'Support émoji in display names 🚀', 'Draft: new onboarding flow',
  'Improve error messages for invalid config', 'Remove deprecated v1 endpoints', 'Paginate the audit log', 'Update README',
];

export const ISSUE_TITLES = [
  'Login fails with SSO', 'Dashboard is slow for large groups', 'Crash on startup', 'Typo in settings page',
  'Übersetzung fehlt im Menü', 'エラーメッセージが分かりにくい', 'Export to CSV 📄', 'Rate limit hit during sync',
  'Dark mode contrast', 'Webhook retries never stop', 'Add audit events for deletions', 'Flaky pipeline on main',
];

export const LABELS = ['bug', 'feature', 'backend', 'frontend', 'priority::high', 'documentation', 'tech-debt'];

export const JOB_LAYOUT: readonly { name: string; stage: string }[] = [
  { name: 'build', stage: 'build' },
  { name: 'unit-tests', stage: 'test' },
  { name: 'lint', stage: 'test' },
  { name: 'integration-tests', stage: 'test' },
  { name: 'security-scan', stage: 'test' },
];
export const DEPLOY_JOBS = ['deploy-staging', 'deploy-production'];
