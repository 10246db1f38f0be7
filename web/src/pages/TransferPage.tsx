export function TransferPage(_: { id: string }) {
  return <h1>Transfer</h1>;
}
