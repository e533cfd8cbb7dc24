import { PageHeader } from '../components/ui.tsx';

export default function Page() {
  return <PageHeader title="organization-detail" />;
}
