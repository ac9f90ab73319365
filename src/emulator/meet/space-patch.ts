/**
 * The Meet emulator's errors in the shape of Google's newer APIs, and `spaces.patch`'s update:
 * the fields `updateMask` may name, applied all or none (emulator/meet/index.ts).
 */
import type { meet_v2 } from '@googleapis/meet/build/v2';
import { GoogleApiError } from '../pipeline/google-errors';
import { isObject } from '../shared/values';
import type { EmulatorState } from '../state';
import { ACCESS_TYPES, type AccessType, type StoredSpace } from './meet-store';

const STATUS: Record< number, string > = {
	400: 'INVALID_ARGUMENT',
	403: 'PERMISSION_DENIED',
	404: 'NOT_FOUND',
	412: 'FAILED_PRECONDITION',
};

/** An error as Meet v2 answers it: no `errors[]` list, the canonical status and an ErrorInfo. */
export class MeetApiError extends GoogleApiError {
	constructor( code: number, message: string, reason?: string ) {
		super( code, undefined, message );
		const body: Record< string, unknown > = {
			code,
			message,
			status: STATUS[ code ] ?? 'UNKNOWN',
		};
		if ( reason ) {
			body.details = [
				{
					'@type': 'type.googleapis.com/google.rpc.ErrorInfo',
					reason,
					domain: 'googleapis.com',
					metadata: { service: 'meet.googleapis.com' },
				},
			];
		}
		Object.assign( this.body, { error: body } );
	}
}

/** The fields `updateMask` may name, each applied from the request body. */
const MASK_FIELDS: Record<
	string,
	( space: StoredSpace, config: meet_v2.Schema$SpaceConfig ) => void
> = {
	'config.accessType': ( space, config ) => {
		const v = config.accessType;
		if ( ! ACCESS_TYPES.includes( v as AccessType ) ) {
			throw new MeetApiError(
				400,
				`Invalid value for config.access_type: ${ String( v ) }`
			);
		}
		space.config.accessType = v as AccessType;
	},
	'config.entryPointAccess': ( space, config ) => {
		const v = config.entryPointAccess;
		if ( v !== 'ALL' && v !== 'CREATOR_APP_ONLY' ) {
			throw new MeetApiError(
				400,
				`Invalid value for config.entry_point_access: ${ String( v ) }`
			);
		}
		space.config.entryPointAccess = v;
	},
	'config.artifactConfig.recordingConfig.autoRecordingGeneration': (
		space,
		config
	) => {
		space.config.autoRecordingGeneration = onOff(
			config.artifactConfig?.recordingConfig?.autoRecordingGeneration
		);
	},
	'config.artifactConfig.transcriptionConfig.autoTranscriptionGeneration': (
		space,
		config
	) => {
		space.config.autoTranscriptionGeneration = onOff(
			config.artifactConfig?.transcriptionConfig
				?.autoTranscriptionGeneration
		);
	},
	'config.artifactConfig.smartNotesConfig.autoSmartNotesGeneration': (
		space,
		config
	) => {
		space.config.autoSmartNotesGeneration = onOff(
			config.artifactConfig?.smartNotesConfig?.autoSmartNotesGeneration
		);
	},
};

function onOff( v: unknown ): 'ON' | 'OFF' {
	if ( v !== 'ON' && v !== 'OFF' ) {
		throw new MeetApiError(
			400,
			`Invalid value for an automatic artifact generation: ${ String( v ) }`
		);
	}
	return v;
}

export function patchSpace(
	state: EmulatorState,
	space: StoredSpace,
	body: unknown,
	updateMask: string | undefined
): void {
	if ( ! updateMask ) {
		throw new MeetApiError( 400, 'update_mask is required.' );
	}
	const fields = updateMask
		.split( ',' )
		.map( ( f ) => f.trim() )
		.filter( Boolean );
	const config = (
		isObject( body ) && isObject( body.config ) ? body.config : {}
	) as meet_v2.Schema$SpaceConfig;
	for ( const f of fields ) {
		if ( ! MASK_FIELDS[ f ] ) {
			throw new MeetApiError(
				400,
				`Invalid update_mask path: "${ f }".`
			);
		}
	}
	if (
		fields.some( ( f ) => f.startsWith( 'config.artifactConfig.' ) ) &&
		! state.meet.policy( space.owner ).artifactSettings
	) {
		// Nothing is applied when one field is refused.
		throw new MeetApiError(
			403,
			"The caller's account does not have access to artifact configuration.",
			'FEATURE_NOT_AVAILABLE'
		);
	}
	const draft = structuredClone( space );
	for ( const f of fields ) {
		MASK_FIELDS[ f ]?.( draft, config );
	}
	space.config = draft.config;
}
