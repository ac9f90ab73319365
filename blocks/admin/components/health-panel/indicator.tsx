/**
 * A yes/no figure: a mark and a word, so the state never rests on colour alone.
 */
export interface IndicatorProps {
	ok: boolean;
	yes: string;
	no: string;
}

export default function Indicator( { ok, yes, no }: IndicatorProps ) {
	return (
		<span className={ ok ? 'mfk-indicator is-ok' : 'mfk-indicator is-bad' }>
			<span aria-hidden="true">{ ok ? '✓' : '✕' }</span> { ok ? yes : no }
		</span>
	);
}
