/**
 * Editor registration of the Meet controls block. The block is dynamic: render.php draws it
 * for each viewer, so nothing but its attributes is saved in the post content.
 */
import { registerBlockType, type BlockConfiguration } from '@wordpress/blocks';
import metadata from './block.json';
import Edit, { type MeetControlsAttributes } from './edit';
import './style.scss';

registerBlockType< MeetControlsAttributes >(
	// block.json is the single source of the block's settings; its JSON types are wider than
	// the BlockConfiguration union types (category, icon), hence the cast.
	metadata as unknown as BlockConfiguration< MeetControlsAttributes >,
	{
		edit: Edit,
		save: () => null,
	}
);
