import { Tabs as RadixTabs } from 'radix-ui';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';

export interface TabItem {
  value: string;
  label: ReactNode;
  content: ReactNode;
}

export interface TabsProps {
  /** Names the tab list for screen readers. */
  label: string;
  items: TabItem[];
  value?: string;
  defaultValue?: string;
  onValueChange?: (value: string) => void;
}

/** In-page tabs (Radix): role=tablist/tab/tabpanel, arrow keys between tabs. For tabs that are pages, use TabNav. */
export function Tabs({ label, items, value, defaultValue, onValueChange }: TabsProps) {
  return (
    <RadixTabs.Root className="tabs" value={value} defaultValue={defaultValue ?? items[0]?.value} onValueChange={onValueChange}>
      <RadixTabs.List className="tab-list" aria-label={label}>
        {items.map((item) => (
          <RadixTabs.Trigger key={item.value} value={item.value} className="tab">
            {item.label}
          </RadixTabs.Trigger>
        ))}
      </RadixTabs.List>
      {items.map((item) => (
        <RadixTabs.Content key={item.value} value={item.value} className="tab-panel">
          {item.content}
        </RadixTabs.Content>
      ))}
    </RadixTabs.Root>
  );
}

export interface TabNavItem {
  to: string;
  label: ReactNode;
  /** Whether this tab is the current page (default: the path is `to`'s, query aside). */
  current?: (pathname: string) => boolean;
}

/**
 * Tabs that are pages: a <nav> of links styled as tabs, the current one marked aria-current="page". Each is a
 * real link (open in a new tab, copy its address, Back returns to the previous one).
 */
export function TabNav({ label, items }: { label: string; items: TabNavItem[] }) {
  const { pathname } = useLocation();
  return (
    <nav className="tab-list tab-nav" aria-label={label}>
      {items.map((item) => {
        const current = item.current ? item.current(pathname) : pathname === item.to.split('?')[0];
        return (
          <Link key={item.to} to={item.to} className="tab" aria-current={current ? 'page' : undefined}>
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
