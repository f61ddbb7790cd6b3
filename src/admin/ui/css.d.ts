// Stylesheets are imported for their side effect; esbuild emits them as dist/ui/app.css.
declare module '*.css';
