import { Svg, type IconProps } from '../components/Icons';

// Knowledge base icons, drawn in the shared Svg frame of components/Icons.tsx. Decorative.

export const BookIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M4 4.25A1.75 1.75 0 0 1 5.75 2.5H16v12.25H5.75A1.75 1.75 0 0 0 4 16.5z" />
    <path d="M4 16.5A1.25 1.25 0 0 0 5.25 17.5H16M7.5 6h5" />
  </Svg>
);

export const DocIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M5.5 2.75h6l3.5 3.5v10a1 1 0 0 1-1 1H5.5a1 1 0 0 1-1-1v-12.5a1 1 0 0 1 1-1Z" />
    <path d="M11.25 2.75v3.5h3.5M7.5 10.5h5M7.5 13.5h5" />
  </Svg>
);

export const ChevronRightIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="m8 5.5 4.5 4.5L8 14.5" />
  </Svg>
);

export const EditIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M12.9 3.6a1.9 1.9 0 0 1 2.7 2.7L7 14.9l-3.5.8.8-3.5z" />
  </Svg>
);

export const HistoryIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M3.25 10a6.75 6.75 0 1 0 2-4.8L3.25 7.25" />
    <path d="M3.25 3.5v3.75H7M10 6.5V10l2.5 1.75" />
  </Svg>
);

export const ShareIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M8.25 11.75 11.75 8.25M9.1 5.4l1.15-1.15a3 3 0 0 1 4.25 4.25l-1.15 1.15M10.9 14.6l-1.15 1.15a3 3 0 0 1-4.25-4.25l1.15-1.15" />
  </Svg>
);

export const LinkIcon = ShareIcon;

export const TrashIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M3.5 5.5h13M8 5.5V4a1 1 0 0 1 1-1h2a1 1 0 0 1 1 1v1.5M5 5.5l.75 10.6a1 1 0 0 0 1 .9h6.5a1 1 0 0 0 1-.9L15 5.5M8.5 8.5v5M11.5 8.5v5" />
  </Svg>
);

export const TemplateIcon = (p: IconProps) => (
  <Svg {...p}>
    <rect x="3" y="3" width="14" height="14" rx="1.5" />
    <path d="M3 7.5h14M7.5 7.5V17" />
  </Svg>
);

export const TagIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M3 3h6.5l7.5 7.5-6.5 6.5L3 9.5z" />
    <circle cx="6.75" cy="6.75" r="1.1" />
  </Svg>
);

export const FolderIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M2.75 5.5a1 1 0 0 1 1-1h4l1.5 1.75h7a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H3.75a1 1 0 0 1-1-1z" />
  </Svg>
);

export const UploadIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M10 13V3.75M6.25 7.5 10 3.75l3.75 3.75M3.5 14.5v1.25c0 .7.55 1.25 1.25 1.25h10.5c.7 0 1.25-.55 1.25-1.25V14.5" />
  </Svg>
);

export const PaperclipIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="m15.5 9.25-5.9 5.9a3.6 3.6 0 0 1-5.1-5.1l6.2-6.2a2.4 2.4 0 0 1 3.4 3.4l-6.1 6.1a1.2 1.2 0 0 1-1.7-1.7l5.6-5.6" />
  </Svg>
);

export const ListIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M8 5.5h8.5M8 10h8.5M8 14.5h8.5" />
    <circle cx="4.25" cy="5.5" r=".9" fill="currentColor" stroke="none" />
    <circle cx="4.25" cy="10" r=".9" fill="currentColor" stroke="none" />
    <circle cx="4.25" cy="14.5" r=".9" fill="currentColor" stroke="none" />
  </Svg>
);

export const OrderedListIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M8.5 5.5H17M8.5 10H17M8.5 14.5H17M3.5 4.25h1v3M3.25 12.5c.3-.6 1.9-.8 1.9.25 0 .9-1.9 1.6-1.9 2.5h2" />
  </Svg>
);

export const TaskIcon = (p: IconProps) => (
  <Svg {...p}>
    <rect x="3" y="3.75" width="5.5" height="5.5" rx="1" />
    <path d="m4.25 6.5 1.25 1.25 1.9-2.1M11 6.5h6M3 12.5h5.5v4.75H3zM11 14.75h6" />
  </Svg>
);

export const QuoteIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M4.5 4.5v11M8 6h8.5M8 10h8.5M8 14h5.5" />
  </Svg>
);

export const CodeIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M7 6 3 10l4 4M13 6l4 4-4 4M11.25 4.5l-2.5 11" />
  </Svg>
);

export const TableIcon = (p: IconProps) => (
  <Svg {...p}>
    <rect x="2.75" y="3.75" width="14.5" height="12.5" rx="1.25" />
    <path d="M2.75 8h14.5M2.75 12.25h14.5M8 8v8.25M12.5 8v8.25" />
  </Svg>
);

export const BoldIcon = (p: IconProps) => (
  <Svg {...p} strokeWidth="2">
    <path d="M6 3.75h4.75a3 3 0 0 1 0 6H6zM6 9.75h5.5a3.25 3.25 0 0 1 0 6.5H6z" />
  </Svg>
);

export const ItalicIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M9 3.75h6M5 16.25h6M12 3.75l-4 12.5" />
  </Svg>
);

export const StrikeIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M3.5 10h13M13.75 6c-.3-1.4-1.8-2.25-3.75-2.25-2.2 0-3.75 1.1-3.75 2.6 0 .75.3 1.25.8 1.65M6.25 14c.3 1.4 1.8 2.25 3.75 2.25 2.2 0 3.75-1.1 3.75-2.6 0-.6-.2-1.05-.55-1.4" />
  </Svg>
);

export const HeadingIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M4.5 3.75v12.5M13 3.75v12.5M4.5 10H13M15.5 16.25h2" />
  </Svg>
);

export const PanelIcon = (p: IconProps) => (
  <Svg {...p}>
    <rect x="2.75" y="3.75" width="14.5" height="12.5" rx="1.5" />
    <path d="M7.5 3.75v12.5" />
  </Svg>
);

/** Importing files: the same arrow into a tray as downloading. */
export { DownloadIcon as ImportIcon } from '../components/Icons';

export const CodeBlockIcon = (p: IconProps) => (
  <Svg {...p}>
    <rect x="2.75" y="3.25" width="14.5" height="13.5" rx="1.5" />
    <path d="m7.5 8-2 2 2 2M12.5 8l2 2-2 2" />
  </Svg>
);
