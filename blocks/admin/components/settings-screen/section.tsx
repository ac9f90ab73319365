/**
 * One card of the settings page, with an anchor other parts of the page link to.
 */
import { Card, CardBody, CardHeader } from '@wordpress/components';
import type { ReactNode } from 'react';

export interface SectionProps {
	id: string;
	title: string;
	children: ReactNode;
}

export default function Section( { id, title, children }: SectionProps ) {
	return (
		<Card className="mfk-card" id={ id }>
			<CardHeader>
				<h2 className="mfk-card__title">{ title }</h2>
			</CardHeader>
			<CardBody>{ children }</CardBody>
		</Card>
	);
}
