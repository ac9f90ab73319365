/**
 * Copies text: the asynchronous Clipboard API where the page may use it (secure contexts),
 * else the selection of a read-only field and the older copy command.
 */
export async function copyText(
	text: string,
	field?: HTMLInputElement | HTMLTextAreaElement | null
): Promise< boolean > {
	if ( typeof navigator !== 'undefined' && navigator.clipboard?.writeText ) {
		try {
			await navigator.clipboard.writeText( text );
			return true;
		} catch {
			// Permission refused or document not focused: try the selection below.
		}
	}
	if ( ! field ) {
		return false;
	}
	field.focus();
	field.select();
	try {
		// Deprecated but still the only synchronous fallback outside secure contexts.
		return document.execCommand( 'copy' );
	} catch {
		return false;
	}
}
