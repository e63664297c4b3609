/**
 * Importing this module registers every built-in model kind with the artifacts loader, so a
 * saved model of any kind can be loaded. Each model file registers itself when imported.
 */
import './popularity/model.js';
import './itemknn/model.js';
import './ease/model.js';
import './als/model.js';
import './content/model.js';
import './twotower/model.js';
import './ncf/model.js';
import './hybrid/hybrid-artifacts.js';
