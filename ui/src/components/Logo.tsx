/** The Nexus mark: three linked nodes on an accent tile. Decorative unless labelled by its parent. */
export function LogoMark({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false" className="logo-mark">
      <rect width="32" height="32" rx="8" fill="var(--logo-bg, #5b5bd6)" />
      <path d="M10 22.5V9.5l12 13V9.5" fill="none" stroke="#fff" strokeWidth="2.6" strokeLinecap="round" strokeLinejoin="round" />
      <circle cx="10" cy="9.5" r="2.6" fill="#fff" />
      <circle cx="22" cy="22.5" r="2.6" fill="#fff" />
    </svg>
  );
}
