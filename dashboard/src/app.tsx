import { Navigate, Route, Router, useLocation, useSearchParams, type RouteSectionProps } from '@solidjs/router';
import { Match, Switch } from 'solid-js';
import { Shell } from './components/shell.tsx';
import { Spinner, Toasts } from './components/ui.tsx';
import { session } from './lib/session.ts';
import AgentDetailPage from './pages/agent-detail.tsx';
import AgentsPage from './pages/agents.tsx';
import LoginPage, { safeNext } from './pages/login.tsx';
import MetricsPage from './pages/metrics.tsx';
import NotFoundPage from './pages/not-found.tsx';
import OrganizationDetailPage from './pages/organization-detail.tsx';
import OrganizationsPage from './pages/organizations.tsx';
import OverviewPage from './pages/overview.tsx';
import TokenToolsPage from './pages/token-tools.tsx';
import WebhookDetailPage from './pages/webhook-detail.tsx';
import WebhooksPage from './pages/webhooks.tsx';

const BASE = '/dashboard';

/** The router's location includes its base; links and redirects take paths below it. */
function withinDashboard(pathname: string): string {
  return pathname.startsWith(BASE) ? pathname.slice(BASE.length) || '/' : pathname;
}

/** Every page but the login needs a session; without one the visitor is sent to log in and brought back. */
function RequireSession(props: RouteSectionProps) {
  const location = useLocation();
  return (
    <Switch>
      <Match when={session() === undefined}>
        <div class="splash"><Spinner /></div>
      </Match>
      <Match when={session() === null}>
        <Navigate href={() => `/login?next=${encodeURIComponent(withinDashboard(location.pathname) + location.search)}`} />
      </Match>
      <Match when={session()}>
        <Shell>{props.children}</Shell>
      </Match>
    </Switch>
  );
}

function LoginGate() {
  const [params] = useSearchParams<{ next: string }>();
  return (
    <Switch>
      <Match when={session() === undefined}>
        <div class="splash"><Spinner /></div>
      </Match>
      <Match when={session()}>
        <Navigate href={safeNext(params.next)} />
      </Match>
      <Match when={session() === null}>
        <LoginPage />
      </Match>
    </Switch>
  );
}

function Root(props: RouteSectionProps) {
  return (
    <>
      {props.children}
      <Toasts />
    </>
  );
}

export function App() {
  return (
    <Router base={BASE} root={Root}>
      <Route path="/login" component={LoginGate} />
      <Route path="/" component={RequireSession}>
        <Route path="/" component={OverviewPage} />
        <Route path="/agents" component={AgentsPage} />
        <Route path="/agents/:id" component={AgentDetailPage} />
        <Route path="/organizations" component={OrganizationsPage} />
        <Route path="/organizations/:id" component={OrganizationDetailPage} />
        <Route path="/tokens" component={TokenToolsPage} />
        <Route path="/webhooks" component={WebhooksPage} />
        <Route path="/webhooks/:id" component={WebhookDetailPage} />
        <Route path="/metrics" component={MetricsPage} />
        <Route path="*404" component={NotFoundPage} />
      </Route>
    </Router>
  );
}
