import type { ConfigField } from '@gatehouse/config';

/** The docs that embed tables, from the repository root. */
export declare const documentedFiles: readonly string[];

/** Each table a doc may embed, by the name its marker gives: the fields it lists. */
export declare const configTables: Readonly<Record<string, () => ConfigField[]>>;

/** `text` with the table between each pair of markers generated afresh; throws on an unknown or unclosed one. */
export declare function withGeneratedTables(text: string, file: string): string;

/** `text` with Markdown table rows' column padding removed, so a formatted table equals its unformatted source. */
export declare function withoutTablePadding(text: string): string;
