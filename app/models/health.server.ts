import prisma from "~/db/client.server";

/** True when the database answers a trivial query: the liveness probe's only dependency. */
export async function databaseAnswers(): Promise<boolean> {
  try {
    await prisma.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
