/**
 * The `mdm` configuration section, owned by the devices module: config/schema.ts composes it
 * into the one configuration schema, and adapters.ts checks what the schema cannot say.
 */
import Type from 'typebox';
import { DURATION_PATTERN } from '../../duration.ts';

const Duration = (description: string, defaultValue: string) =>
  Type.String({ pattern: DURATION_PATTERN, patternHint: 'must be a duration such as 30s, 15m, 12h or 7d', description, default: defaultValue, examples: [defaultValue] });

/**
 * MDM connections (docs/mdm.md): one optional section per vendor. Secrets are named so
 * that the audit trail's configuration record redacts them (`…Secret`, `password`, `apiKey`),
 * and are best given through the environment (the variable is shown beside each setting).
 */
const MdmSyncInterval = Duration('How often this instance looks whether the inventory sync is due (jittered); across instances one sync runs per interval.', '15m');
const HttpsUrl = (description: string) => Type.String({ pattern: '^https?://[^\\s]+$', patternHint: 'must be an https:// URL', description });
const PageSize = (max: number) => Type.Optional(Type.Integer({ minimum: 1, maximum: max, description: 'Devices per inventory page (default: the vendor’s own).' }));

export const MdmSchema = Type.Object(
  {
    intune: Type.Optional(
      Type.Object(
        {
          tenantId: Type.String({ minLength: 1, description: 'Directory (tenant) id or verified domain of the Entra tenant.' }),
          clientId: Type.String({ minLength: 1, description: 'Application (client) id of the app registration with DeviceManagementManagedDevices.Read.All.' }),
          clientSecret: Type.String({ minLength: 1, description: 'Its client secret. Prefer env PALISADE_MDM_INTUNE_CLIENT_SECRET.' }),
          clientStateSecret: Type.Array(Type.String({ minLength: 16 }), {
            minItems: 1,
            description:
              'The `clientState` of Palisade’s Graph subscriptions (at least 16 random characters); several during a rotation. Notifications to /mdm/v1/intune/events without one are refused. Prefer env PALISADE_MDM_INTUNE_CLIENT_STATE_SECRET (comma-separated or JSON).',
          }),
          loginBaseUrl: Type.Optional(HttpsUrl('Microsoft identity platform origin; default https://login.microsoftonline.com (sovereign clouds set another).')),
          graphBaseUrl: Type.Optional(HttpsUrl('Microsoft Graph origin; default https://graph.microsoft.com.')),
          pageSize: PageSize(1000),
          syncInterval: MdmSyncInterval,
        },
        {
          additionalProperties: false,
          description: 'Microsoft Intune through Microsoft Graph (docs/mdm.md). Absent: not connected.',
          examples: [{ tenantId: '<tenant id>', clientId: '<application (client) id>', clientSecret: '<prefer env PALISADE_MDM_INTUNE_CLIENT_SECRET>', clientStateSecret: ['<prefer env PALISADE_MDM_INTUNE_CLIENT_STATE_SECRET>'], syncInterval: '15m' }],
        },
      ),
    ),
    jamf: Type.Optional(
      Type.Object(
        {
          baseUrl: HttpsUrl('The Jamf Pro server, e.g. https://example.jamfcloud.com.'),
          auth: Type.Object(
            {
              clientId: Type.Optional(Type.String({ minLength: 1, description: 'API client id (Jamf Pro 10.49+, role with Read Mobile Devices).' })),
              clientSecret: Type.Optional(Type.String({ minLength: 1, description: 'API client secret. Prefer env PALISADE_MDM_JAMF_AUTH_CLIENT_SECRET.' })),
              username: Type.Optional(Type.String({ minLength: 1, description: 'Instead of an API client (servers before 10.49): a standard account with the same privilege.' })),
              password: Type.Optional(Type.String({ minLength: 1, description: 'That account’s password. Prefer env PALISADE_MDM_JAMF_AUTH_PASSWORD.' })),
            },
            { additionalProperties: false, description: 'How Palisade reads the inventory: clientId and clientSecret, or username and password.' },
          ),
          webhookAuth: Type.Object(
            {
              username: Type.Optional(Type.String({ minLength: 1, description: 'Basic Authentication user name set on the webhooks.' })),
              password: Type.Optional(Type.String({ minLength: 16, description: 'Its password (at least 16 random characters). Prefer env PALISADE_MDM_JAMF_WEBHOOK_AUTH_PASSWORD.' })),
              headerName: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$', patternHint: 'must be a header name such as X-Palisade-Webhook-Secret', description: 'Instead of Basic: the header of Header Authentication.' })),
              headerSecret: Type.Optional(Type.String({ minLength: 16, description: 'That header’s whole value (at least 16 random characters). Prefer env PALISADE_MDM_JAMF_WEBHOOK_AUTH_HEADER_SECRET.' })),
            },
            { additionalProperties: false, description: 'Credentials every webhook to /mdm/v1/jamf/events must carry: username and password (Basic), or headerName and headerSecret.' },
          ),
          enrollmentTokenAttribute: Type.Optional(Type.String({ minLength: 1, description: 'Name of the mobile device extension attribute holding each device’s Palisade enrollment token; a sign-in must then present the same token.' })),
          pageSize: PageSize(2000),
          syncInterval: MdmSyncInterval,
        },
        {
          additionalProperties: false,
          description: 'Jamf Pro (docs/mdm.md). Absent: not connected.',
          examples: [{ baseUrl: 'https://example.jamfcloud.com', auth: { clientId: '<API client id>', clientSecret: '<prefer env PALISADE_MDM_JAMF_AUTH_CLIENT_SECRET>' }, webhookAuth: { username: 'jamf-webhooks', password: '<prefer env PALISADE_MDM_JAMF_WEBHOOK_AUTH_PASSWORD>' }, syncInterval: '15m' }],
        },
      ),
    ),
    workspaceOne: Type.Optional(
      Type.Object(
        {
          baseUrl: HttpsUrl('The Workspace ONE UEM API server, e.g. https://as1506.awmdm.com.'),
          apiKey: Type.String({ minLength: 1, description: 'The REST API key, sent as aw-tenant-code. Prefer env PALISADE_MDM_WORKSPACE_ONE_API_KEY.' }),
          auth: Type.Object(
            {
              username: Type.Optional(Type.String({ minLength: 1, description: 'An admin account with read access to devices (Basic).' })),
              password: Type.Optional(Type.String({ minLength: 1, description: 'Its password. Prefer env PALISADE_MDM_WORKSPACE_ONE_AUTH_PASSWORD.' })),
              tokenUrl: Type.Optional(HttpsUrl('Instead of Basic: the region’s OAuth token URL (https://<region>.uemauth.vmwservices.com/connect/token).')),
              clientId: Type.Optional(Type.String({ minLength: 1, description: 'The OAuth client id.' })),
              clientSecret: Type.Optional(Type.String({ minLength: 1, description: 'The OAuth client secret. Prefer env PALISADE_MDM_WORKSPACE_ONE_AUTH_CLIENT_SECRET.' })),
            },
            { additionalProperties: false, description: 'How Palisade reads the inventory: username and password, or tokenUrl, clientId and clientSecret.' },
          ),
          webhookAuth: Type.Object(
            {
              username: Type.String({ minLength: 1, description: 'User name entered in the event notification rule.' }),
              password: Type.String({ minLength: 16, description: 'Its password (at least 16 random characters). Prefer env PALISADE_MDM_WORKSPACE_ONE_WEBHOOK_AUTH_PASSWORD.' }),
            },
            { additionalProperties: false, description: 'Basic credentials every event notification to /mdm/v1/workspaceone/events must carry.' },
          ),
          pageSize: PageSize(1000),
          syncInterval: MdmSyncInterval,
        },
        {
          additionalProperties: false,
          description: 'VMware (Omnissa) Workspace ONE UEM (docs/mdm.md). Absent: not connected.',
          examples: [{ baseUrl: 'https://as1506.awmdm.com', apiKey: '<prefer env PALISADE_MDM_WORKSPACE_ONE_API_KEY>', auth: { username: 'palisade-api', password: '<prefer env PALISADE_MDM_WORKSPACE_ONE_AUTH_PASSWORD>' }, webhookAuth: { username: 'ws1-events', password: '<prefer env PALISADE_MDM_WORKSPACE_ONE_WEBHOOK_AUTH_PASSWORD>' }, syncInterval: '15m' }],
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description:
      'MDM connections (docs/mdm.md): the inventory of each connected MDM is synced on a schedule and its notifications are accepted at /mdm/v1/<vendor>/events with the credentials set here. Plain http URLs are accepted only for loopback outside production.',
  },
);
