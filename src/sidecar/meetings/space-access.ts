/**
 * Who may join a consultation without knocking: the Meet space behind an event's conference,
 * found by its meeting code, gets the clinic's access type (`config.accessType`), and the
 * automatic recording, transcription and smart notes are switched off where the account allows
 * it. A separate, idempotent step after the event and its conference exist: a space already as
 * asked costs one read and no write. Requests and answers use `meet_v2`'s generated schemas.
 */
import type { meet_v2 } from '@googleapis/meet/build/v2';
import { SidecarError } from '../errors';
import type { GoogleSession } from '../google/session';

const AUTH = 'https://www.googleapis.com/auth/';

/** spaces.patch on a space Calendar made: the narrowest scope Google documents. */
export const MEET_SETTINGS_SCOPE = `${ AUTH }meetings.space.settings`;
/** Conference records and participants of the doctor's spaces (attendance). */
export const MEET_READONLY_SCOPE = `${ AUTH }meetings.space.readonly`;
/** Asked of new connections, and once of doctors connected before (incremental consent). */
export const MEET_SCOPES = [ MEET_SETTINGS_SCOPE, MEET_READONLY_SCOPE ];

/** Grants that let the owner patch a space Calendar created. */
const SETTINGS_GRANTS = [
	MEET_SETTINGS_SCOPE,
	`${ AUTH }meetings.space.created`,
];

export const ACCESS_TYPES = [ 'OPEN', 'TRUSTED', 'RESTRICTED' ] as const;
export type AccessType = ( typeof ACCESS_TYPES )[ number ];

/** `off`: no automatic artifact is on; `refused`: the account or edition does not allow the setting. */
export type ArtifactsState = 'off' | 'refused';

export interface SpaceAccessResult {
	space: string;
	meetingCode: string;
	accessType: AccessType;
	/** Whether this call changed anything at Google. */
	changed: boolean;
	artifacts: ArtifactsState;
}

const ARTIFACT_FIELDS = {
	'config.artifactConfig.recordingConfig.autoRecordingGeneration': (
		c: meet_v2.Schema$ArtifactConfig | undefined
	) => c?.recordingConfig?.autoRecordingGeneration,
	'config.artifactConfig.transcriptionConfig.autoTranscriptionGeneration': (
		c: meet_v2.Schema$ArtifactConfig | undefined
	) => c?.transcriptionConfig?.autoTranscriptionGeneration,
	'config.artifactConfig.smartNotesConfig.autoSmartNotesGeneration': (
		c: meet_v2.Schema$ArtifactConfig | undefined
	) => c?.smartNotesConfig?.autoSmartNotesGeneration,
} as const;

const ALL_OFF: meet_v2.Schema$ArtifactConfig = {
	recordingConfig: { autoRecordingGeneration: 'OFF' },
	transcriptionConfig: { autoTranscriptionGeneration: 'OFF' },
	smartNotesConfig: { autoSmartNotesGeneration: 'OFF' },
};

export function hasSettingsScope( scopes: readonly string[] ): boolean {
	return SETTINGS_GRANTS.some( ( s ) => scopes.includes( s ) );
}

/** A meeting code as Google shapes them (`abc-mnop-xyz`), or from a join link. */
export function meetingCodeOf( value: string ): string | undefined {
	const code = value.trim().split( '/' ).pop()?.split( '?' )[ 0 ] ?? '';
	return /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/.test( code ) ? code : undefined;
}

async function getSpace(
	session: GoogleSession,
	meetingCode: string
): Promise< meet_v2.Schema$Space > {
	try {
		const meet = await session.api.meet();
		return await session.calendar(
			'spaces.get',
			'other',
			async ( auth ) =>
				(
					await meet.spaces.get( {
						name: `spaces/${ meetingCode }`,
						auth,
					} )
				).data
		);
	} catch ( error ) {
		if ( error instanceof SidecarError && error.code === 'not_found' ) {
			throw new SidecarError(
				'not_found',
				'Google Meet has no space with this meeting code (the conference may have been replaced).'
			);
		}
		throw error;
	}
}

async function patch(
	session: GoogleSession,
	space: string,
	updateMask: string,
	config: meet_v2.Schema$SpaceConfig
): Promise< meet_v2.Schema$Space > {
	const requestBody: meet_v2.Schema$Space = { config };
	const meet = await session.api.meet();
	return session.calendar(
		'spaces.patch',
		'other',
		async ( auth ) =>
			(
				await meet.spaces.patch( {
					name: space,
					updateMask,
					requestBody,
					auth,
				} )
			).data
	);
}

export async function applySpaceAccess(
	session: GoogleSession,
	input: { meetingCode: string; accessType: AccessType }
): Promise< SpaceAccessResult > {
	if ( ! hasSettingsScope( session.scopes ) ) {
		throw new SidecarError(
			'insufficient_scope',
			'The doctor has not allowed the product to manage the settings of their Meet meetings: ask them to grant it.',
			{ scope: MEET_SETTINGS_SCOPE }
		);
	}
	const space = await getSpace( session, input.meetingCode );
	if ( ! space.config || ! space.name ) {
		// spaces.get returns the config to the owner only.
		throw new SidecarError(
			'space_not_owned',
			"The Meet space is not owned by the doctor's Google account, so its access cannot be set."
		);
	}
	let changed = false;
	if ( space.config.accessType !== input.accessType ) {
		await patch( session, space.name, 'config.accessType', {
			accessType: input.accessType,
		} );
		changed = true;
	}
	const on = (
		Object.keys( ARTIFACT_FIELDS ) as ( keyof typeof ARTIFACT_FIELDS )[]
	 ).filter(
		( f ) => ARTIFACT_FIELDS[ f ]( space.config?.artifactConfig ) === 'ON'
	);
	let artifacts: ArtifactsState = 'off';
	if ( on.length > 0 ) {
		try {
			await patch( session, space.name, on.join( ',' ), {
				artifactConfig: ALL_OFF,
			} );
			changed = true;
		} catch ( error ) {
			// The account or its edition refuses artifact settings: recorded, never fatal.
			if (
				! ( error instanceof SidecarError ) ||
				error.retryable ||
				error.code === 'token_revoked'
			) {
				throw error;
			}
			artifacts = 'refused';
		}
	}
	return {
		space: space.name,
		meetingCode: input.meetingCode,
		accessType: input.accessType,
		changed,
		artifacts,
	};
}
