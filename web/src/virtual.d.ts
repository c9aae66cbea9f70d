// Modules made by build.mjs at build time.
declare module "virtual:methodology" {
  const html: string;
  export default html;
}
