export function TransfersPage(_: { initialQuery: string | null }) {
  return <h1>Transfers</h1>;
}
