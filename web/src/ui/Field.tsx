import { type InputHTMLAttributes, type ReactNode, type Ref, type TextareaHTMLAttributes, useId } from 'react';

interface FieldChrome {
  label: ReactNode;
  /** Help shown under the label, tied to the control with aria-describedby. */
  description?: ReactNode;
  /** Why the value is refused (by the form's checks or by the server): shown beside the field, sets aria-invalid. */
  error?: ReactNode;
  /** Hides the label visually (kept for screen readers), e.g. for a search box with a placeholder. */
  hideLabel?: boolean;
}

function useFieldIds(id: string | undefined, description: ReactNode, error: ReactNode) {
  const generated = useId();
  const controlId = id ?? `f${generated}`;
  const descriptionId = description ? `${controlId}-description` : undefined;
  const errorId = error ? `${controlId}-error` : undefined;
  return { controlId, descriptionId, errorId, describedBy: [descriptionId, errorId].filter(Boolean).join(' ') || undefined };
}

function Chrome({ ids, label, description, error, hideLabel, children }: FieldChrome & { ids: ReturnType<typeof useFieldIds>; children: ReactNode }) {
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={ids.controlId} className={hideLabel ? 'visually-hidden' : 'field-label'}>
        {label}
      </label>
      {description && (
        <p id={ids.descriptionId} className="field-description">
          {description}
        </p>
      )}
      {children}
      {error && (
        <p id={ids.errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export type TextFieldProps = FieldChrome & InputHTMLAttributes<HTMLInputElement> & { ref?: Ref<HTMLInputElement> };

export function TextField({ label, description, error, hideLabel, id, className, ...input }: TextFieldProps) {
  const ids = useFieldIds(id, description, error);
  return (
    <Chrome ids={ids} label={label} description={description} error={error} hideLabel={hideLabel}>
      <input {...input} id={ids.controlId} className={['input', className].filter(Boolean).join(' ')} aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy} />
    </Chrome>
  );
}

export type TextAreaProps = FieldChrome & TextareaHTMLAttributes<HTMLTextAreaElement> & { ref?: Ref<HTMLTextAreaElement> };

export function TextArea({ label, description, error, hideLabel, id, className, rows = 5, ...textarea }: TextAreaProps) {
  const ids = useFieldIds(id, description, error);
  return (
    <Chrome ids={ids} label={label} description={description} error={error} hideLabel={hideLabel}>
      <textarea {...textarea} rows={rows} id={ids.controlId} className={['input', className].filter(Boolean).join(' ')} aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy} />
    </Chrome>
  );
}
