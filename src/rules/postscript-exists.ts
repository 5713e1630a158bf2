import { makeScriptExistsRule } from './script-rule-factory.js';

export const rule = makeScriptExistsRule('post');
