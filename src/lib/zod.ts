/** zod, configured once for this page: parsers are not compiled with new Function(), which the
 * page's Content-Security-Policy forbids (zod's probe for it alone is reported as a violation). */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
