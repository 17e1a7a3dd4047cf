/**
 * The control catalogue: the frameworks' controls that apply to what Palisade does, each mapped
 * to the evidence checks (evaluators.ts) that decide it on a running instance, or, when Palisade
 * cannot see it, to what the operator holds. Kept as data in the repository so a change of the
 * mapping is reviewed like code; server/test/compliance/catalogue.test.ts checks that every
 * control names known checks, that every test file a check names exists, and that every framework
 * the report promises is present.
 *
 * References are the frameworks' own numbering at the level Palisade can answer for (ASVS 5.0
 * sections, SOC 2 criteria, ISO/IEC 27001:2022 Annex A controls, HIPAA §164.312 paragraphs,
 * PCI DSS 4.0 requirements, GDPR articles). A mapping is Palisade's reading, not an auditor's:
 * the report says so in its header.
 */
import type { CheckId } from './evaluators.ts';

export interface Framework {
  id: string;
  name: string;
  /** What the mapping covers, and what it leaves out. */
  scope: string;
}

export interface Control {
  /** Unique across the catalogue: `<framework>:<ref>`. */
  id: string;
  framework: string;
  ref: string;
  title: string;
  /** The checks that decide it (all must be met); empty: the operator's responsibility alone. */
  checks: readonly CheckId[];
  /** What stays with the operator (the whole control when there are no checks). */
  responsibility?: string;
}

export const FRAMEWORKS: readonly Framework[] = [
  { id: 'baseline', name: 'Palisade security baseline', scope: 'The controls the product was specified with: company SSO, short-lived bound tokens, app keys, signed requests, rate limits, TLS and pinning, device trust, remote termination, RBAC, encryption at rest, a 7-year tamper-evident audit trail, and the GDPR duties (minimisation, erasure, 72-hour breach notification).' },
  { id: 'asvs', name: 'OWASP ASVS 5.0, level 2 (V6–V16)', scope: 'The sections of chapters V6 to V16 that apply to a backend and authorization server; chapters on web front ends and file handling are out of scope.' },
  { id: 'masvs', name: 'OWASP MASVS 2', scope: 'The controls whose server side Palisade provides (authentication, network, device integrity, privacy); the app’s own storage and code are the app’s (see the SDK).' },
  { id: 'soc2', name: 'SOC 2 (2017 TSC, rev. 2022), CC6–CC8', scope: 'Logical access, system operations and change management criteria, as far as the service’s configuration and state show them.' },
  { id: 'iso27001', name: 'ISO/IEC 27001:2022 Annex A', scope: 'Access control, logging and monitoring, cryptography and secure development controls.' },
  { id: 'hipaa', name: 'HIPAA Security Rule §164.312 (technical safeguards)', scope: 'The technical safeguards for systems holding ePHI; administrative and physical safeguards are the operator’s.' },
  { id: 'pci', name: 'PCI DSS 4.0, requirements 3, 4, 7, 8 and 10', scope: 'Palisade stores no cardholder data by design; these requirements apply when it is in scope as the access and logging layer of a cardholder data environment.' },
  { id: 'gdpr', name: 'GDPR Art. 5, 17, 25, 30, 32 and 33', scope: 'The processor-side technical measures; the lawful basis, notices and contracts are the controller’s.' },
];

const controls: Control[] = [];
function add(framework: string, ref: string, title: string, checks: readonly CheckId[], responsibility?: string): void {
  controls.push({ id: `${framework}:${ref}`, framework, ref, title, checks, ...(responsibility ? { responsibility } : {}) });
}

// The product's own baseline.
add('baseline', 'B1', 'Sign-in only through the company IdP, no local passwords', ['companyIdp', 'pkce']);
add('baseline', 'B2', 'Short-lived access tokens, rotating refresh tokens bound to the device', ['tokenLifetime', 'dpop', 'credentialStorage']);
add('baseline', 'B3', 'Every API call names its app (app keys) and is signed', ['appKeysRequired', 'requestSigning', 'appKeyAge']);
add('baseline', 'B4', 'Rate limits and lockout', ['rateLimits']);
add('baseline', 'B5', 'TLS 1.3 and HSTS; certificate pinning with backup pins', ['tlsVersion', 'hsts', 'tlsCertificate']);
add('baseline', 'B6', 'Device trust: posture, MDM, jailbreak refusal', ['mdmPosture']);
add('baseline', 'B7', 'Sessions ended and devices wiped remotely by IT', ['sessionControl', 'sessionIdle']);
add('baseline', 'B8', 'Role-based access on every route, row-level security', ['authorization', 'databaseRole']);
add('baseline', 'B9', 'Encryption at rest of sensitive data, keys outside the database', ['fieldEncryption', 'masterKeyFromEnv', 'signingKeyAge']);
add('baseline', 'B10', 'Audit trail kept 7 years, tamper-evident, on write-once storage', ['auditSealing', 'auditVerified', 'auditRetention']);
add('baseline', 'B11', 'No card numbers, national ids, health data or passwords in the data model', [], 'Palisade’s schema has no such field and keeps no password; do not put them in free-text fields (job notes, access notes).');
add('baseline', 'B12', 'Data minimisation and right to deletion (GDPR)', ['retention', 'privacyRights']);
add('baseline', 'B13', 'Breach notification within 72 hours (GDPR)', ['breachClock', 'monitoringAlerts']);
add('baseline', 'B14', 'Production configuration, no development shortcut', ['productionMode', 'companyIdp', 'corsOrigins']);
add('baseline', 'B15', 'Vulnerability reporting and security testing support', ['securityTxt', 'secureDevelopment'], 'Penetration tests before release (docs/pentest.md).');

// OWASP ASVS 5.0, level 2.
add('asvs', 'V6.3', 'General authentication security (anti-automation, lockout)', ['rateLimits']);
add('asvs', 'V6.4', 'Authentication factor lifecycle and recovery', [], 'Passwords and factor recovery live at the company IdP.');
add('asvs', 'V6.5', 'Multi-factor authentication', ['mfa']);
add('asvs', 'V6.8', 'Authentication with an identity provider', ['companyIdp', 'pkce']);
add('asvs', 'V7.2', 'Fundamental session security', ['credentialStorage', 'dpop']);
add('asvs', 'V7.3', 'Session timeout', ['sessionIdle', 'tokenLifetime']);
add('asvs', 'V7.4', 'Session termination', ['sessionControl', 'deprovisioning']);
add('asvs', 'V7.5', 'Defenses against session abuse (re-authentication for sensitive actions)', ['stepUp']);
add('asvs', 'V8.2', 'General authorization design', ['authorization']);
add('asvs', 'V8.3', 'Operation-level authorization', ['authorization', 'databaseRole']);
add('asvs', 'V9.1', 'Self-contained tokens: source and integrity', ['signingKeyAge', 'tokenLifetime']);
add('asvs', 'V10.3', 'OAuth resource server (audience, sender-constrained tokens)', ['dpop']);
add('asvs', 'V10.4', 'OAuth authorization server (PKCE, exact redirect URIs, one-time codes, refresh rotation)', ['pkce', 'credentialStorage']);
add('asvs', 'V11.3', 'Encryption algorithms (approved, authenticated)', ['fieldEncryption']);
add('asvs', 'V11.1', 'Cryptographic inventory and key management', ['masterKeyFromEnv', 'signingKeyAge', 'appKeyAge']);
add('asvs', 'V12.1', 'General TLS security', ['tlsVersion']);
add('asvs', 'V12.2', 'HTTPS communication with external-facing services', ['tlsCertificate', 'hsts']);
add('asvs', 'V12.3', 'Service-to-service communication security', ['databaseTransport']);
add('asvs', 'V13.3', 'Secret management', ['masterKeyFromEnv']);
add('asvs', 'V13.4', 'Unintended information leakage', ['errorsAndLogs', 'productionMode']);
add('asvs', 'V14.2', 'General data protection (retention, minimisation)', ['retention', 'fieldEncryption']);
add('asvs', 'V15.2', 'Security architecture and dependencies', ['secureDevelopment']);
add('asvs', 'V15.3', 'Defensive coding (input validation, mass assignment)', ['inputValidation']);
add('asvs', 'V16.2', 'General logging', ['auditCoverage']);
add('asvs', 'V16.3', 'Security events', ['auditCoverage', 'monitoringAlerts']);
add('asvs', 'V16.4', 'Log protection', ['auditSealing', 'auditVerified']);
add('asvs', 'V16.5', 'Error handling', ['errorsAndLogs']);

// OWASP MASVS 2: the server side.
add('masvs', 'MASVS-AUTH-1', 'Secure authentication and authorization protocols', ['pkce', 'dpop', 'tokenLifetime']);
add('masvs', 'MASVS-AUTH-3', 'Additional authentication for sensitive operations', ['stepUp']);
add('masvs', 'MASVS-NETWORK-1', 'All network traffic secured', ['tlsVersion', 'hsts']);
add('masvs', 'MASVS-NETWORK-2', 'Identity pinning for the remote endpoint', ['tlsCertificate']);
add('masvs', 'MASVS-RESILIENCE-1', 'Platform integrity validated', ['mdmPosture']);
add('masvs', 'MASVS-RESILIENCE-2', 'Anti-tampering: app integrity attested', ['attestation']);
add('masvs', 'MASVS-STORAGE-2', 'Sensitive data leakage prevented (remote wipe, lock)', ['sessionControl'], 'The app keeps its tokens in the platform keystore (the SDK does).');
add('masvs', 'MASVS-PRIVACY-1', 'Access to sensitive data minimised', ['retention', 'authorization']);

// SOC 2, common criteria 6 to 8.
add('soc2', 'CC6.1', 'Logical access security software and architecture', ['companyIdp', 'authorization', 'fieldEncryption', 'masterKeyFromEnv']);
add('soc2', 'CC6.2', 'Users registered and authorized before access', ['companyIdp', 'deprovisioning']);
add('soc2', 'CC6.3', 'Access based on roles, removed when no longer needed', ['authorization', 'deprovisioning'], 'Review role mappings (upstream.roles) and granted roles periodically.');
add('soc2', 'CC6.4', 'Physical access restricted', [], 'The hosting facility’s physical controls.');
add('soc2', 'CC6.5', 'Data disposed of when no longer needed', ['retention', 'privacyRights']);
add('soc2', 'CC6.6', 'Protection against threats from outside the boundary', ['rateLimits', 'tlsVersion', 'appKeysRequired', 'requestSigning', 'corsOrigins']);
add('soc2', 'CC6.7', 'Transmission of data restricted and protected', ['tlsVersion', 'hsts', 'databaseTransport']);
add('soc2', 'CC6.8', 'Unauthorized or malicious software prevented (devices)', ['mdmPosture', 'attestation']);
add('soc2', 'CC7.1', 'Configuration and vulnerabilities detected', ['productionMode', 'secureDevelopment', 'securityTxt']);
add('soc2', 'CC7.2', 'System components monitored for anomalies', ['monitoringAlerts', 'auditCoverage']);
add('soc2', 'CC7.3', 'Security events evaluated', ['monitoringAlerts', 'auditVerified']);
add('soc2', 'CC7.4', 'Security incidents responded to', ['breachClock', 'sessionControl']);
add('soc2', 'CC7.5', 'Recovery from incidents', ['backups']);
add('soc2', 'CC8.1', 'Changes authorized, tested and approved', ['secureDevelopment'], 'Your change process for configuration and releases (configuration changes are audited as config.change).');

// ISO/IEC 27001:2022 Annex A.
add('iso27001', 'A.5.15', 'Access control', ['authorization']);
add('iso27001', 'A.5.16', 'Identity management', ['companyIdp', 'deprovisioning']);
add('iso27001', 'A.5.17', 'Authentication information', ['credentialStorage', 'mfa']);
add('iso27001', 'A.5.18', 'Access rights', ['authorization', 'deprovisioning'], 'Periodic review of access rights.');
add('iso27001', 'A.8.2', 'Privileged access rights', ['stepUp', 'authorization']);
add('iso27001', 'A.8.3', 'Information access restriction', ['authorization', 'databaseRole']);
add('iso27001', 'A.8.5', 'Secure authentication', ['companyIdp', 'tokenLifetime', 'rateLimits', 'sessionIdle']);
add('iso27001', 'A.8.8', 'Management of technical vulnerabilities', ['securityTxt', 'secureDevelopment'], 'Patch the host and Node; act on npm audit and the SBOM.');
add('iso27001', 'A.8.9', 'Configuration management', ['productionMode', 'corsOrigins']);
add('iso27001', 'A.8.10', 'Information deletion', ['retention', 'privacyRights']);
add('iso27001', 'A.8.13', 'Information backup', ['backups']);
add('iso27001', 'A.8.15', 'Logging', ['auditCoverage', 'auditSealing', 'auditRetention']);
add('iso27001', 'A.8.16', 'Monitoring activities', ['monitoringAlerts', 'auditVerified']);
add('iso27001', 'A.8.17', 'Clock synchronization', [], 'Synchronise the servers’ clocks (NTP); tokens and the audit trail rely on them.');
add('iso27001', 'A.8.24', 'Use of cryptography', ['tlsVersion', 'fieldEncryption', 'masterKeyFromEnv', 'signingKeyAge']);
add('iso27001', 'A.8.25', 'Secure development life cycle', ['secureDevelopment']);
add('iso27001', 'A.8.26', 'Application security requirements', ['inputValidation', 'requestSigning', 'appKeysRequired']);
add('iso27001', 'A.8.28', 'Secure coding', ['inputValidation', 'errorsAndLogs', 'secureDevelopment']);
add('iso27001', 'A.8.29', 'Security testing in development and acceptance', ['secureDevelopment'], 'Penetration tests before release (docs/pentest.md).');

// HIPAA §164.312.
add('hipaa', '164.312(a)(1)', 'Access control', ['authorization', 'databaseRole']);
add('hipaa', '164.312(a)(2)(i)', 'Unique user identification', ['companyIdp']);
add('hipaa', '164.312(a)(2)(ii)', 'Emergency access procedure', [], 'A break-glass procedure at the company IdP (an admin account kept offline).');
add('hipaa', '164.312(a)(2)(iii)', 'Automatic logoff', ['sessionIdle']);
add('hipaa', '164.312(a)(2)(iv)', 'Encryption and decryption', ['fieldEncryption', 'masterKeyFromEnv']);
add('hipaa', '164.312(b)', 'Audit controls', ['auditCoverage', 'auditSealing', 'auditRetention']);
add('hipaa', '164.312(c)(1)', 'Integrity', ['auditSealing', 'auditVerified', 'requestSigning']);
add('hipaa', '164.312(d)', 'Person or entity authentication', ['companyIdp', 'mfa', 'dpop']);
add('hipaa', '164.312(e)(1)', 'Transmission security', ['tlsVersion', 'hsts', 'databaseTransport']);

// PCI DSS 4.0.
add('pci', '3.2.1', 'Account data storage kept to a minimum (retention)', ['retention']);
add('pci', '3.3', 'Sensitive authentication data not stored after authorization', [], 'Palisade has no field for card data; keep it out of free-text fields.');
add('pci', '3.5.1', 'Stored data rendered unreadable', ['fieldEncryption']);
add('pci', '3.6.1', 'Cryptographic keys protected', ['masterKeyFromEnv']);
add('pci', '3.7', 'Key-management lifecycle (rotation, retirement)', ['signingKeyAge', 'appKeyAge']);
add('pci', '4.2.1', 'Strong cryptography for transmission over open networks', ['tlsVersion', 'tlsCertificate', 'hsts']);
add('pci', '7.2.1', 'Access control model defined', ['authorization']);
add('pci', '7.2.4', 'User accounts and privileges reviewed every six months', [], 'Review role mappings and local grants at least every six months.');
add('pci', '7.2.5', 'System accounts least privilege', ['databaseRole']);
add('pci', '8.2.1', 'Unique ID for every user', ['companyIdp']);
add('pci', '8.2.6', 'Inactive accounts removed or disabled', ['deprovisioning'], 'Disable accounts inactive for 90 days at the company IdP (SCIM carries it to Palisade).');
add('pci', '8.2.8', 'Re-authentication after 15 minutes idle', ['sessionIdle']);
add('pci', '8.3.4', 'Lockout after at most 10 attempts, for at least 30 minutes', ['rateLimits', 'lockoutDuration']);
add('pci', '8.3.6', 'Password length and complexity', [], 'Password rules live at the company IdP.');
add('pci', '8.4.2', 'MFA for all access into the cardholder data environment', ['mfa']);
add('pci', '10.2.1', 'Audit logs enabled and active', ['auditCoverage']);
add('pci', '10.3.2', 'Audit logs protected from modification', ['auditSealing', 'auditVerified']);
add('pci', '10.3.3', 'Audit logs backed up to a central, hard-to-alter store', ['auditRetention']);
add('pci', '10.4.1', 'Audit logs reviewed', ['monitoringAlerts']);
add('pci', '10.5.1', 'Audit log history retained for at least 12 months', ['auditRetention']);
add('pci', '10.6.1', 'Time synchronisation', [], 'Synchronise the servers’ clocks (NTP).');
add('pci', '10.7.2', 'Failures of critical security controls detected', ['monitoringAlerts', 'auditVerified']);

// GDPR.
add('gdpr', 'Art. 5(1)(c)', 'Data minimisation', ['retention']);
add('gdpr', 'Art. 5(1)(e)', 'Storage limitation', ['retention']);
add('gdpr', 'Art. 5(1)(f)', 'Integrity and confidentiality', ['fieldEncryption', 'tlsVersion', 'authorization']);
add('gdpr', 'Art. 5(2)', 'Accountability', ['auditCoverage', 'recordsOfProcessing']);
add('gdpr', 'Art. 17', 'Right to erasure', ['privacyRights']);
add('gdpr', 'Art. 25', 'Data protection by design and by default', ['retention', 'authorization', 'fieldEncryption']);
add('gdpr', 'Art. 30', 'Records of processing activities', ['recordsOfProcessing'], 'Complete docs/records-of-processing.md with the controller’s name, contact and recipients.');
add('gdpr', 'Art. 32', 'Security of processing', ['tlsVersion', 'fieldEncryption', 'masterKeyFromEnv', 'backups', 'secureDevelopment']);
add('gdpr', 'Art. 33', 'Notification of a breach to the supervisory authority (72 hours)', ['breachClock', 'monitoringAlerts']);

export const CATALOGUE: readonly Control[] = controls;
