// The test-only messages of fixtures/rules_test.proto, validated like any API message. Their Any
// fields resolve test types first and Envoy types after.
import protobuf from 'protobufjs';
import type { ValidationIssue } from '../../src/cache/types';
import { envoyApi } from '../../src/envoy/api';
import { type TypeRegistry, validateMessage } from '../../src/validate';
import { repoPath } from './helpers';

let root: protobuf.Root | undefined;

function syntheticRoot(): protobuf.Root {
  if (!root) {
    root = new protobuf.Root();
    root.loadSync(
      [repoPath('test', 'validate', 'fixtures', 'rules_test.proto'), repoPath('test', 'validate', 'fixtures', 'typed_struct_test.proto')],
      { keepCase: true },
    );
    root.resolveAll();
  }
  return root;
}

export const syntheticRegistry: TypeRegistry = {
  findMessageType(fullName: string): protobuf.Type | undefined {
    const found = syntheticRoot().lookup(fullName.replace(/^\./, ''));
    return found instanceof protobuf.Type ? found : envoyApi().findMessageType(fullName);
  },
};

export const TEST_PACKAGE = 'meshgate.validate.test';

/** Validate JSON as meshgate.validate.test.<message>. */
export function validateTest(message: string, json: unknown): ValidationIssue[] {
  return validateMessage(`${TEST_PACKAGE}.${message}`, json, '', syntheticRegistry);
}
