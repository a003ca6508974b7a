import * as fs from "fs";
import * as path from "path";
import { licenseFileSpec, type LicenseFile, type LicenseSpec } from "./config/spec";

/** Reads and validates the license file; problems are returned, not thrown (a policy judges them). */
export function readLicense(
  spec: LicenseSpec,
  root: string,
): { license?: LicenseFile; problems: string[] } {
  const file = path.resolve(root, spec.file);
  let raw: string;
  try {
    raw = fs.readFileSync(file, "utf8");
  } catch {
    return { problems: [`license file ${spec.file} is missing`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    return { problems: [`license file ${spec.file} is not JSON: ${(e as Error).message}`] };
  }
  const parsed = licenseFileSpec.safeParse(json);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map(
        (i) => `license file ${spec.file}: ${i.path.join(".") || "(root)"}: ${i.message}`,
      ),
    };
  }
  return { license: parsed.data, problems: [] };
}
