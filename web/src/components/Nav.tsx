// The main navigation; the current page is marked for screen readers with aria-current.
const LINKS = [
  { page: "swap", href: "#/swap", label: "Swap" },
  { page: "bridge", href: "#/bridge", label: "Bridge" },
  { page: "transfers", href: "#/transfers", label: "Transfers" },
  { page: "stats", href: "#/stats", label: "Stats" },
] as const;

export function Nav({ current }: { current: string }) {
  const active = current === "transfer" ? "transfers" : current;
  return (
    <nav aria-label="Main">
      <ul className="nav-list">
        {LINKS.map((l) => (
          <li key={l.page}>
            <a href={l.href} aria-current={active === l.page ? "page" : undefined}>
              {l.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
