// Lint: type-aware rules for TypeScript (floating promises, exhaustive switches), Espruino limits for
// the firmware sources, browser globals for the web apps.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const { boundaries } = require('./eslint.boundaries');

const ESPRUINO_GLOBALS = Object.fromEntries(
  ['E', 'NRF', 'Puck', 'Bangle', 'g', 'BTN', 'BTN1', 'LED1', 'LED2', 'LED3', 'Serial1', 'AES', 'setWatch', 'clearWatch', 'digitalWrite',
    'digitalRead', 'digitalPulse', 'analogWrite', 'pinMode', 'getTime', 'require', 'print', 'console', 'setTimeout', 'setInterval',
    'clearTimeout', 'clearInterval', 'changeInterval', 'process', 'D28', 'D29', 'Uint8Array', 'Int8Array', 'Int16Array', 'Float32Array',
    'ArrayBuffer', 'Promise', 'Math', 'JSON', 'String', 'Number', 'Object', 'Array', 'Date', 'parseInt', 'parseFloat', 'isNaN']
    .map((n) => [n, 'readonly']),
);
// What Espruino's parser lacks (../shared/ESPRUINO.md §4); Node would accept it silently.
const ESPRUINO_FORBIDDEN = [
  { selector: 'ObjectPattern', message: 'Espruino has no destructuring' },
  { selector: 'ArrayPattern', message: 'Espruino has no destructuring' },
  { selector: 'AssignmentPattern', message: 'Espruino has no default parameters' },
  { selector: 'RestElement', message: 'Espruino has no rest parameters' },
  { selector: 'SpreadElement', message: 'Espruino has no spread' },
  { selector: 'FunctionDeclaration[async=true], FunctionExpression[async=true], ArrowFunctionExpression[async=true]', message: 'Espruino has no async/await' },
  { selector: 'AwaitExpression', message: 'Espruino has no async/await' },
  { selector: 'FunctionDeclaration[generator=true], FunctionExpression[generator=true]', message: 'Espruino has no generators' },
  { selector: 'ChainExpression', message: 'Espruino has no optional chaining' },
  { selector: "BinaryExpression[operator='**'], AssignmentExpression[operator='**=']", message: 'Espruino has no ** operator' },
  { selector: "NewExpression[callee.name=/^(Map|Set|WeakMap|WeakSet)$/]", message: 'Espruino has no Map/Set' },
  { selector: "Identifier[name='Symbol']", message: 'Espruino has no Symbol' },
  { selector: 'LabeledStatement', message: 'Espruino has no labels' },
  { selector: 'TemplateLiteral[quasis.length>1]', message: 'keep firmware strings simple' },
];

module.exports = tseslint.config(
  { ignores: ['node_modules/**', 'firmware/dist/**', 'var/**', 'coverage/**', 'bench/results/**', 'centre/web/app/detect.js'] }, // detect.js: the firmware's, linted there
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/no-redundant-type-constituents': 'off',
    },
  },
  boundaries(__dirname),
  {
    files: ['firmware/src/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2020, sourceType: 'script', globals: ESPRUINO_GLOBALS },
    rules: {
      'no-restricted-syntax': ['error', ...ESPRUINO_FORBIDDEN],
      'no-use-before-define': ['error', { functions: false, classes: true, variables: false }],
      'no-unused-vars': ['error', { varsIgnorePattern: '^V[A-Z]', args: 'none' }],
    },
  },
  {
    files: ['centre/web/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'script', globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', sessionStorage: 'readonly', localStorage: 'readonly', EventSource: 'readonly', location: 'readonly', alert: 'readonly', setTimeout: 'readonly', setInterval: 'readonly', clearTimeout: 'readonly', clearInterval: 'readonly', console: 'readonly', navigator: 'readonly', URL: 'readonly', Audio: 'readonly', Date: 'readonly', Intl: 'readonly' } },
  },
  {
    // The console is plain ES modules served as files (no build step); Leaflet and the shared i18n are classic scripts.
    files: ['centre/web/console/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: { L: 'readonly', VigilI18n: 'readonly', AudioContext: 'readonly', Blob: 'readonly', URLSearchParams: 'readonly', requestAnimationFrame: 'readonly', history: 'readonly', Event: 'readonly', CustomEvent: 'readonly', HTMLElement: 'readonly', Node: 'readonly', FileReader: 'readonly', Image: 'readonly', getComputedStyle: 'readonly', matchMedia: 'readonly', addEventListener: 'readonly', removeEventListener: 'readonly', confirm: 'readonly', prompt: 'readonly', FormData: 'readonly', MutationObserver: 'readonly' },
    },
  },
  {
    files: ['*.js', 'bin/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' } },
  },
);
