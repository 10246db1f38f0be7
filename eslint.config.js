// Lint: TypeScript-aware rules, with the ones that catch lost work in async code made errors.
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "artifacts/", "cache/", "types/", "coverage/", "scripts/*.mjs", "web/dist/"] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "it", "test", "suite"] }],
        },
      ],
      // ethers' `Contract` methods are untyped by design (they come from the ABI at run time); these
      // rules would flag every contract call. Our own code still may not use `any` (rule above).
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  // The web app: the rules of hooks (hooks at the top level, complete effect dependencies).
  { files: ["web/src/**/*.tsx", "web/src/**/*.ts"], ...reactHooks.configs.flat.recommended },
  { files: ["eslint.config.js"], ...tseslint.configs.disableTypeChecked },
);
