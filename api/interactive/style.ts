/**
 * THE stylesheet of every hosted page (api/interactive/layout.tsx): one column on a 360 px phone, a wider card
 * and two-column grids on desktop; colours meet WCAG AA contrast (axe-core checks every page state).
 */
export const PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;background:#f4f6fa}
header.brand{display:flex;align-items:center;gap:.75rem;max-width:44rem;margin:0 auto;padding:1rem 1rem 0}
header.brand img{width:40px;height:40px;border-radius:.5rem}
header.brand span{font-weight:700}
main{max-width:44rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1rem 0 .5rem}
.card{background:#fff;border-radius:.75rem;padding:1rem;box-shadow:0 1px 3px rgba(0,0,0,.08);margin:0 0 1rem}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
label .opt{font-weight:400;color:#4a5263}
input,select,textarea{display:block;width:100%;max-width:100%;font:inherit;padding:.6rem .7rem;border:1px solid #6b7486;border-radius:.5rem;background:#fff;color:inherit}
input[type=file]{padding:.4rem}
input:focus,select:focus,textarea:focus,button:focus,a:focus{outline:3px solid #1b4fbf;outline-offset:2px}
[aria-invalid=true]{border-color:#b3141b;background:#fff6f6}
.hint{font-size:.875rem;color:#4a5263;margin:.25rem 0 0}
#trust-line dd,#trust-how{overflow-wrap:anywhere}
.error{font-size:.9rem;color:#a3121a;margin:.25rem 0 0;font-weight:600}
.notice{padding:.75rem;border-radius:.5rem;background:#eef4ff;margin:0 0 1rem}
.alert{padding:.75rem;border-radius:.5rem;background:#fdecec;color:#7d0e14;margin:0 0 1rem}
.success{padding:.75rem;border-radius:.5rem;background:#e8f6ec;color:#0f5132;margin:0 0 1rem}
dl.summary{display:grid;grid-template-columns:1fr;gap:.25rem 1rem;margin:0 0 1rem}
dl.summary dt{color:#4a5263;font-size:.875rem}
dl.summary dd{margin:0 0 .5rem;font-weight:600;overflow-wrap:anywhere}
.reference{font:700 1.25rem/1.4 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.05em}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
button{display:block;width:100%;font:inherit;font-weight:600;padding:.8rem;border:0;border-radius:.5rem;background:#1f5fd6;color:#fff;cursor:pointer;margin-top:.5rem}
button.secondary{background:#e4e9f2;color:#1d2433}
a{color:#1b4fbf}
a.button{display:block;text-align:center;padding:.8rem;border-radius:.5rem;background:#eef4ff;color:#1b4fbf;font-weight:600;text-decoration:none;margin-top:1rem}
footer{max-width:44rem;margin:0 auto;padding:1rem;color:#4a5263;font-size:.875rem}
@media (min-width:48rem){main{padding:2rem}.card{padding:2rem}.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 1.5rem}.grid .wide{grid-column:1/-1}button{width:auto;padding:.8rem 2rem;display:inline-block}dl.summary{grid-template-columns:max-content 1fr}dl.summary dd{margin:0}}
`;
