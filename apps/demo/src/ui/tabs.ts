/** The tab buttons of `[role=tablist]`: clicking one shows its panel (`aria-controls`) and hides the others. */
export function setUpTabs(): void {
  const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role=tab]')];
  const select = (chosen: HTMLButtonElement) => {
    for (const tab of tabs) {
      const selected = tab === chosen;
      tab.setAttribute('aria-selected', String(selected));
      document.getElementById(tab.getAttribute('aria-controls')!)!.hidden = !selected;
    }
  };
  for (const tab of tabs) tab.addEventListener('click', () => select(tab));
}

/** Shows tab `id` as a click on it would. */
export function showTab(id: string): void {
  document.getElementById(id)?.click();
}
