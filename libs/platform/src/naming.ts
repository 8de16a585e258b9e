/** `assigneeId` → `assignee_id`: the API's spelling of a field name. */
export const snakeCase = (name: string): string =>
  name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
