export function BridgePage() {
  return <h1>Bridge</h1>;
}
