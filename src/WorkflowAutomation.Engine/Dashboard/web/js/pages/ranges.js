import { h } from '../dom.js';

export const ranges = ['15m', '1h', '6h', '24h', '7d', '30d'];

// Range buttons; the choice is kept in the address (?range=) so the view can be shared.
export function rangePicker(current, onChange) {
  const group = h('div', { class: 'toolbar ranges', role: 'group', 'aria-label': 'Time range' });
  for (const range of ranges) {
    group.append(h('button', { type: 'button', 'aria-pressed': String(range === current), onclick: () => {
      const address = new URLSearchParams(location.search);
      address.set('range', range);
      history.replaceState(null, '', `${location.pathname}?${address}`);
      for (const button of group.querySelectorAll('button')) button.setAttribute('aria-pressed', String(button.textContent === range));
      onChange(range);
    } }, range));
  }
  return group;
}
