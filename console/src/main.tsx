import 'tdesign-react/es/_util/react-19-adapter';
import { createRoot } from 'react-dom/client';
import 'tdesign-react/dist/tdesign.min.css';
import './app.css';
import { App } from './App.tsx';

createRoot(document.getElementById('root')!).render(<App />);
