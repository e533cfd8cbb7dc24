import { A } from '@solidjs/router';
import { Empty } from '../components/ui.tsx';

export default function NotFoundPage() {
  return (
    <Empty title="This page does not exist">
      <A href="/" class="btn">Back to the dashboard</A>
    </Empty>
  );
}
