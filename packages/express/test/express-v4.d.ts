// express@4 installed under the alias `express-v4`; @types/express (5) describes both for our purposes.
declare module 'express-v4' {
  import express from 'express';
  export default express;
}
