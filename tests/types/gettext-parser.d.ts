// The part of gettext-parser (no types published for its 1.x line) the tests read POT files with.
declare module 'gettext-parser' {
	export interface PoEntry {
		msgctxt?: string;
		msgid: string;
		msgid_plural?: string;
		msgstr: string[];
		comments?: {
			reference?: string;
			extracted?: string;
			translator?: string;
		};
	}

	export interface PoData {
		charset: string;
		// Keys in lower case.
		headers: Record< string, string >;
		translations: Record< string, Record< string, PoEntry > >;
	}

	export const po: {
		parse: ( input: string | Buffer ) => PoData;
	};
}
