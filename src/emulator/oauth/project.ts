/**
 * The Google Cloud project behind an OAuth client, as far as a clinic's setup meets it: whether
 * the Calendar API is enabled, and the OAuth consent screen (user type, publishing status, test
 * users). Google's setup errors follow from these settings, as they do at Google.
 */
import { isEmail } from '../shared/values';

export type UserType = 'external' | 'internal';
export type PublishingStatus = 'testing' | 'in_production';

export interface Project {
	/** Google's project number, named in "API not enabled" errors. */
	projectNumber: string;
	calendarApiEnabled: boolean;
	userType: UserType;
	publishingStatus: PublishingStatus;
	/** Accounts allowed while the app is in Testing (lowercase). */
	testUsers: string[];
	/** The Workspace domain of an Internal app; other accounts get `org_internal`. */
	organizationDomain: string;
}

/** Refresh tokens of an External app in Testing that asks for more than sign-in scopes expire after 7 days. */
export const TESTING_REFRESH_TOKEN_TTL_SECONDS = 7 * 86400;

/** A project that lets everything through, as the emulator's clients always did. */
export function defaultProject( clientId: string ): Project {
	const digits = [ ...clientId ]
		.reduce( ( n, c ) => ( n * 31 + c.charCodeAt( 0 ) ) % 1e11, 7 )
		.toString()
		.padStart( 11, '4' );
	return {
		projectNumber: digits,
		calendarApiEnabled: true,
		userType: 'external',
		publishingStatus: 'in_production',
		testUsers: [],
		organizationDomain: '',
	};
}

/** Google's consent-page refusal for this account, if any (an error page, not a redirect). */
export function consentRefusal(
	project: Project,
	email: string
): { status: number; error: string; description: string } | undefined {
	const address = email.toLowerCase();
	if ( project.userType === 'internal' ) {
		const domain = address.slice( address.lastIndexOf( '@' ) + 1 );
		return domain === project.organizationDomain
			? undefined
			: {
					status: 403,
					error: 'org_internal',
					description:
						'This client is restricted to users within its organization.',
				};
	}
	if (
		project.publishingStatus === 'testing' &&
		! project.testUsers.includes( address )
	) {
		return {
			status: 403,
			error: 'access_denied',
			description:
				'The app is currently being tested, and can only be accessed by developer-approved testers. If you think you should have access, contact the developer.',
		};
	}
	return undefined;
}

/** Whether refresh tokens of this project expire after 7 days for these scopes. */
export function refreshTokensExpireWeekly(
	project: Project,
	scopes: readonly string[],
	basic: ReadonlySet< string >
): boolean {
	return (
		project.userType === 'external' &&
		project.publishingStatus === 'testing' &&
		scopes.some( ( s ) => ! basic.has( s ) )
	);
}

/** Applies a partial update; returns the problems (nothing changes when there are any). */
export function applyProjectPatch(
	project: Project,
	patch: Record< string, unknown >
): string[] {
	const next: Project = { ...project, testUsers: [ ...project.testUsers ] };
	const problems: string[] = [];
	for ( const [ key, value ] of Object.entries( patch ) ) {
		switch ( key ) {
			case 'calendarApiEnabled':
				if ( typeof value === 'boolean' ) {
					next.calendarApiEnabled = value;
				} else {
					problems.push( 'calendarApiEnabled must be a boolean' );
				}
				break;
			case 'userType':
				if ( value === 'external' || value === 'internal' ) {
					next.userType = value;
				} else {
					problems.push(
						'userType must be "external" or "internal"'
					);
				}
				break;
			case 'publishingStatus':
				if ( value === 'testing' || value === 'in_production' ) {
					next.publishingStatus = value;
				} else {
					problems.push(
						'publishingStatus must be "testing" or "in_production"'
					);
				}
				break;
			case 'testUsers':
				if ( Array.isArray( value ) && value.every( isEmail ) ) {
					next.testUsers = value.map( ( e ) =>
						String( e ).toLowerCase()
					);
				} else {
					problems.push(
						'testUsers must be a list of e-mail addresses'
					);
				}
				break;
			case 'organizationDomain':
				if (
					typeof value === 'string' &&
					/^[a-z0-9.-]*$/i.test( value )
				) {
					next.organizationDomain = value.toLowerCase();
				} else {
					problems.push( 'organizationDomain must be a domain name' );
				}
				break;
			case 'projectNumber':
				if ( typeof value === 'string' && /^\d{1,20}$/.test( value ) ) {
					next.projectNumber = value;
				} else {
					problems.push( 'projectNumber must be digits' );
				}
				break;
			default:
				problems.push( `${ key } is not a project setting` );
		}
	}
	if ( problems.length === 0 ) {
		Object.assign( project, next );
	}
	return problems;
}
