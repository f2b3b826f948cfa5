import type { NameIdFormat, SpMetadata } from "./sp-metadata";

/** A registered SAML service provider: its metadata and the operator's choices (stored in D1, saml_service_providers). */
export interface SamlSpRow {
  entityId: string;
  displayName: string;
  metadata: SpMetadata;
  nameIdFormat: NameIdFormat;
  signResponse: boolean;
  signAssertion: boolean;
  /** Assertions go as EncryptedAssertion to metadata.encryptionCert (SAML Core §2.3.4). */
  encryptAssertion: boolean;
  attributeMap: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}
