import { VersionTuple, VersionedExtension } from '@butler-ts/versioning';

/** F6 stub `E0`: supports no schema versions, so nothing about it is stored or checked. */
export class E0 extends VersionedExtension {
  constructor(registrySchemaVersion: VersionTuple | null = null) {
    super({ registrySchemaVersion });
  }
  static override extensionName(): string {
    return 'butler_ts.testkit.extension_stubs.E0';
  }
  static override currentVersions(): readonly VersionTuple[] {
    return [];
  }
  /** The version this instance was built with (exposed for the tests). */
  get configuredVersion(): VersionTuple | null {
    return this.registrySchemaVersion;
  }
}

/** F6 stub `E1`: supports 1.0.0. */
export class E1 extends E0 {
  static override extensionName(): string {
    return 'butler_ts.testkit.extension_stubs.E1';
  }
  static override currentVersions(): readonly VersionTuple[] {
    return [new VersionTuple(1, 0, 0)];
  }
}

/** F6 stub `E11`: supports 1.1.0. */
export class E11 extends E0 {
  static override extensionName(): string {
    return 'butler_ts.testkit.extension_stubs.E11';
  }
  static override currentVersions(): readonly VersionTuple[] {
    return [new VersionTuple(1, 1, 0)];
  }
}

/** F6 stub `E2`: supports 1.0.0 and 2.0.0; a new schema gets 1.0.0. */
export class E2 extends E0 {
  static override extensionName(): string {
    return 'butler_ts.testkit.extension_stubs.E2';
  }
  static override currentVersions(): readonly VersionTuple[] {
    return [new VersionTuple(1, 0, 0), new VersionTuple(2, 0, 0)];
  }
  protected static override _newDefaultSchemaVersion(): VersionTuple {
    return new VersionTuple(1, 0, 0);
  }
}
