/** The `value` of the input with id `id` anywhere in a card (undefined when there is none). */
export function inputValue(node: unknown, id: string): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = inputValue(item, id);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!node || typeof node !== 'object') return undefined;
  const element = node as Record<string, unknown>;
  if (element.id === id && typeof element.value === 'string') return element.value;
  for (const value of Object.values(element)) {
    const found = inputValue(value, id);
    if (found !== undefined) return found;
  }
  return undefined;
}
