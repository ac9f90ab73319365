/**
 * The control API (registered under `/__emulator`, docs/google-emulator.md): reset, behaviour,
 * faults, clients, accounts and tokens, calendars and events, edits made in Google Calendar,
 * sync tokens and push channels, Meet accounts and calls, counters. JSON in, JSON out; never
 * reachable through the Google paths, and never slowed or faulted.
 */
import type { AreaPlugin } from '../area-plugin';
import { accountRoutes } from './account-routes';
import { behaviourRoutes } from './behaviour-routes';
import { calendarRoutes } from './calendar-routes';
import { doctorEditRoutes } from './doctor-edit-routes';
import { faultRoutes } from './fault-routes';
import { meetControlRoutes } from './meet-routes';

export const controlRoutes: AreaPlugin = async ( app, { state } ) => {
	behaviourRoutes( app, state );
	faultRoutes( app, state );
	accountRoutes( app, state );
	calendarRoutes( app, state );
	doctorEditRoutes( app, state );
	meetControlRoutes( app, state );
};
