import { Svg, type IconProps } from '../components/Icons';

// Chat icons, drawn in the shared Svg frame of components/Icons.tsx. Decorative: always aria-hidden.

export const ChatIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M4.75 3.75h10.5c.83 0 1.5.67 1.5 1.5v7c0 .83-.67 1.5-1.5 1.5H9.5L6 16.5v-2.75H4.75c-.83 0-1.5-.67-1.5-1.5v-7c0-.83.67-1.5 1.5-1.5Z" />
  </Svg>
);

export const HashIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M8.25 3.5 6.75 16.5M13.25 3.5l-1.5 13M4 7.5h12.5M3.5 12.5H16" />
  </Svg>
);

export const LockIcon = (p: IconProps) => (
  <Svg {...p}>
    <rect x="4.25" y="8.75" width="11.5" height="8" rx="1.5" />
    <path d="M6.75 8.75V6.5a3.25 3.25 0 0 1 6.5 0v2.25" />
  </Svg>
);

export const BellIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M5 8.25a5 5 0 0 1 10 0v3.25l1.5 2.5h-13L5 11.5Z" />
    <path d="M8.25 16.25a1.9 1.9 0 0 0 3.5 0" />
  </Svg>
);

export const BellOffIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M7 4.1A5 5 0 0 1 15 8.25v3.25l.5.85M13.5 14H3.5L5 11.5V8.25c0-.5.07-1 .22-1.45" />
    <path d="M8.25 16.25a1.9 1.9 0 0 0 3.5 0M3 3l14 14" />
  </Svg>
);

export const PinIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M12.25 3.25 16.75 7.75l-2.5.75-3 3 .5 3.25-1 1-3.25-3.25L4 16M7.5 12.5 4.25 9.25l1-1 3.25.5 3-3Z" />
  </Svg>
);

export const SmileIcon = (p: IconProps) => (
  <Svg {...p}>
    <circle cx="10" cy="10" r="7" />
    <path d="M7 11.75c.7.95 1.75 1.5 3 1.5s2.3-.55 3-1.5M7.5 8h.01M12.5 8h.01" strokeWidth="2" />
  </Svg>
);

export const ReplyIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M8 5.5 3.75 9.75 8 14M4 9.75h7.5a4.75 4.75 0 0 1 4.75 4.75v.75" />
  </Svg>
);

export const ThreadIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M3.75 4.75h9.5c.55 0 1 .45 1 1v5.5c0 .55-.45 1-1 1H8.5L5.5 14.5v-2.25H3.75c-.55 0-1-.45-1-1v-5.5c0-.55.45-1 1-1Z" />
    <path d="M14.25 7.75h2c.55 0 1 .45 1 1v5.5c0 .55-.45 1-1 1H15v2L12.25 15.25" />
  </Svg>
);

export const PaperclipIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="m15.5 9.5-5.75 5.75a3.75 3.75 0 0 1-5.3-5.3l6.2-6.2a2.5 2.5 0 0 1 3.54 3.54l-6.2 6.2a1.25 1.25 0 0 1-1.77-1.77L11.5 6" />
  </Svg>
);

export const SendIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M3.5 10 16.5 3.5 13 16.5l-3-5.5Z" />
    <path d="m10 11 6.5-7.5" />
  </Svg>
);

export const EditIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M12.75 3.75a1.77 1.77 0 0 1 2.5 2.5L7 14.5l-3.25.75L4.5 12Z" />
  </Svg>
);

export const LinkIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M8.5 11.5a3 3 0 0 0 4.25 0l2.5-2.5a3 3 0 0 0-4.25-4.25l-.75.75M11.5 8.5a3 3 0 0 0-4.25 0l-2.5 2.5a3 3 0 0 0 4.25 4.25l.75-.75" />
  </Svg>
);

export const FileIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M11.25 2.75H5.75c-.55 0-1 .45-1 1v12.5c0 .55.45 1 1 1h8.5c.55 0 1-.45 1-1V6.75Z" />
    <path d="M11.25 2.75v4h4" />
  </Svg>
);

export const UsersIcon = (p: IconProps) => (
  <Svg {...p}>
    <circle cx="7.5" cy="7" r="2.75" />
    <path d="M2.75 16c.6-2.5 2.45-4 4.75-4s4.15 1.5 4.75 4M12.5 4.5a2.75 2.75 0 0 1 0 5M14.25 12.25c1.4.5 2.4 1.75 2.85 3.75" />
  </Svg>
);

export const ArrowDownIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M10 4v11.5M5.5 11 10 15.5l4.5-4.5" />
  </Svg>
);

export const DocumentIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M11.25 2.75H5.75c-.55 0-1 .45-1 1v12.5c0 .55.45 1 1 1h8.5c.55 0 1-.45 1-1V6.75Z" />
    <path d="M11.25 2.75v4h4M7.5 10.5h5M7.5 13.5h5" />
  </Svg>
);

export const AtIcon = (p: IconProps) => (
  <Svg {...p}>
    <circle cx="10" cy="10" r="3" />
    <path d="M13 10v1.25a2.25 2.25 0 0 0 4.5 0V10A7.5 7.5 0 1 0 14 16.1" />
  </Svg>
);

export const WifiOffIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M3 3l14 14M10 15.5h.01M7.5 12.75a3.6 3.6 0 0 1 4.4-.5M4.75 10a7.3 7.3 0 0 1 3.1-1.75M12.5 8.35A7.3 7.3 0 0 1 15.25 10M2.25 7.25A11 11 0 0 1 5.4 5.2M9 4.55a11 11 0 0 1 8.75 2.7" />
  </Svg>
);

export const ChevronRightIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="m8 6 4 4-4 4" />
  </Svg>
);
